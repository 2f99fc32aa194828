"""Process `responsibility-review` (职责清单审核, policy §2), bpmn/responsibility-review.bpmn.

`review` holds the rules (rows, conflicts, the new version of the organisation file),
`handlers` the topics.
"""
