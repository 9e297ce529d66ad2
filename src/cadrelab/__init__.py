"""cadrelab: digital-skills training and staffing simulation for Vietnamese commune officials."""

__version__ = "0.1.0"
