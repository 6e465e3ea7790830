"""Diagnose models: reference content and question bank, assessments, action plan, surveys."""

from .actions import Action, ActionPlan
from .assessment import Answer, Assessment, FactorResult, Participant, ResponseSheet
from .reference import BankVersion, Element, Factor, Question
from .surveys import Survey, SurveyAnswer, SurveyItem, SurveyResponse

__all__ = [
    "Action",
    "ActionPlan",
    "Answer",
    "Assessment",
    "BankVersion",
    "Element",
    "Factor",
    "FactorResult",
    "Participant",
    "Question",
    "ResponseSheet",
    "Survey",
    "SurveyAnswer",
    "SurveyItem",
    "SurveyResponse",
]
