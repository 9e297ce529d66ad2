"""What a planner reads: text reports, tables, charts, the animated day, STRESS-DES."""
