"""The award-rules tally engine (计票规则引擎): pure functions, exact rationals, no I/O.

From a rules profile, the committee size, attendance and the counts of each ballot, it decides
quorum, thresholds, who is selected, which ties go to a re-vote and which tier comes next,
and explains every decision in Chinese and English.
"""
