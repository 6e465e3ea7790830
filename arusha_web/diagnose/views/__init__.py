"""Views of the Diagnose module, split by feature."""
