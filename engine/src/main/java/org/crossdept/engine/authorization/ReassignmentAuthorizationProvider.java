package org.crossdept.engine.authorization;

import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.impl.cfg.auth.DefaultAuthorizationProvider;
import org.camunda.bpm.engine.impl.persistence.entity.AuthorizationEntity;
import org.camunda.bpm.engine.impl.persistence.entity.IdentityLinkEntity;
import org.camunda.bpm.engine.impl.persistence.entity.TaskEntity;
import org.camunda.bpm.engine.task.IdentityLinkType;
import org.camunda.bpm.engine.task.Task;

/**
 * Camunda's default provider grants a task's assignee READ and UPDATE (or TASK_WORK) on the task,
 * and READ on its history, but never takes that grant back when the task is assigned to someone
 * else: after a hand-over the giver could still read every task moved away from them, with its
 * variables. This provider removes the previous assignee's per-task grants (runtime and history)
 * when another person becomes the assignee, and then grants the new assignee as Camunda does.
 *
 * <p>Kept: grants the previous assignee holds for another reason on this task — they are its
 * owner or a candidate user (both share the same per-user authorization) — and every group grant
 * (candidate groups are granted per group, not per user, so they are never touched here).
 */
public class ReassignmentAuthorizationProvider extends DefaultAuthorizationProvider {

  @Override
  public AuthorizationEntity[] newTaskAssignee(Task task, String oldAssignee, String newAssignee) {
    if (oldAssignee != null && !oldAssignee.equals(newAssignee) && !linkedOtherwise(task, oldAssignee)) {
      getAuthorizationManager().deleteAuthorizationsByResourceIdAndUserId(Resources.TASK, task.getId(), oldAssignee);
      getAuthorizationManager()
          .deleteAuthorizationsByResourceIdAndUserId(Resources.HISTORIC_TASK, task.getId(), oldAssignee);
    }
    return super.newTaskAssignee(task, oldAssignee, newAssignee);
  }

  private static boolean linkedOtherwise(Task task, String userId) {
    if (userId.equals(task.getOwner())) {
      return true;
    }
    if (!(task instanceof TaskEntity)) {
      return false;
    }
    for (IdentityLinkEntity link : ((TaskEntity) task).getIdentityLinks()) {
      if (userId.equals(link.getUserId()) && IdentityLinkType.CANDIDATE.equals(link.getType())) {
        return true;
      }
    }
    return false;
  }
}
