package org.crossdept.engine.enforcement;

import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;

/**
 * Who is calling, as Camunda itself decides it: administrators are members of an admin group
 * (camunda-admin is always one) or configured admin users (AuthorizationManager.isCamundaAdmin).
 * A command without an authenticated user is the engine's own work (job executor, start-up, code
 * running inside the engine), which Camunda's authorization checks let through as well.
 */
final class Caller {

  private Caller() {
  }

  static boolean isRestricted(CommandContext commandContext) {
    Authentication authentication = commandContext.getAuthentication();
    if (authentication == null || authentication.getUserId() == null) {
      return false;
    }
    return !commandContext.getAuthorizationManager().isCamundaAdmin(authentication);
  }
}
