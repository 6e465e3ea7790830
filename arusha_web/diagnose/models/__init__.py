"""Diagnose models: reference content and question bank, assessments, action plan, surveys."""

from .actions import Action, ActionPlan
from .assessment import Answer, Assessment, FactorResult, Participant, Reminder, ResponseSheet
from .reference import BankVersion, Element, Factor, Question, WordingVersion
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
    "Reminder",
    "ResponseSheet",
    "Survey",
    "SurveyAnswer",
    "SurveyItem",
    "SurveyResponse",
    "WordingVersion",
]
