"""Scenarios: the model of a commune (``model``), its files (``files``), edits in code
(``edit``), validation problems (``problems``), distributions and the catalogue adapter."""
