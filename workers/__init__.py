"""crossdept: the cross-department management policy as Camunda 7 processes, and their Python workers.

Writing a worker:

    from workers import AsTyped, BusinessRejection, ProcessVariables, TaskContext, TaskProperties, topic
"""

from workers.runtime.context import TaskContext
from workers.runtime.contract import AsTyped
from workers.runtime.errors import BusinessRejection
from workers.runtime.properties import TaskProperties
from workers.runtime.registry import ProcessVariables, topic

__all__ = ["AsTyped", "BusinessRejection", "ProcessVariables", "TaskContext", "TaskProperties", "topic"]
