"""Process `work-handover` (工作交接, policy §3.2), bpmn/work-handover.bpmn; docs/work-handover.md.

`handlers` holds the topics, `rules` the policy's rules (checklist, verification), `checklist` the
《工作交接清单》 record and `pdf` its document.
"""
