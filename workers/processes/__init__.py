"""One package per BPMN process, each the same shape (see workers/processes/work_handover/).

Every module below this package is imported by `workers.catalog`, which is how topics register.
"""
