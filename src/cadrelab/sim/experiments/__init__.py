"""Runs built on the model: sweeps, the staffing search, calibration from a log, warm-up."""
