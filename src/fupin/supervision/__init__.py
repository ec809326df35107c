"""Supervision (督查): the problems ledger from finding to 销号, random spot checks with their error rates, and the
rankings and bulletins (一日一通报、一周一排名、一月一总结) that drive the work."""
