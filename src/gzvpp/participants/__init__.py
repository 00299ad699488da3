"""Participants (R1, 第四条, 第六条): enrolment of power users and aggregators, the review and
publicity workflow, eligibility, and the lists the grid operator and the regulator work from."""
