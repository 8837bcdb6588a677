"""Pages of the onboarding app: the learner's (learner.py) and HR's (hr.py)."""
