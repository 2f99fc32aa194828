package org.crossdept.engine.enforcement;

import jakarta.ws.rs.core.Response.Status;
import org.camunda.bpm.engine.rest.exception.InvalidRequestException;

/**
 * A task was sent variables its form does not have, or a changed read-only field.
 *
 * <p>Why a REST exception thrown by the engine: the REST resources wrap every engine exception
 * other than AuthorizationException on these paths (POST /task/{id}/variables, DELETE, binary
 * variables) into a 500, and complete/submit-form turn only FormFieldValidationException into a
 * 400. A 500 says "try again" to every client, ours included, yet repeating the request can never
 * succeed. A RestException keeps its status through all of them, so every path answers 400 with
 * this message. Java API callers get an ordinary RuntimeException with the same message.
 */
public class TaskVariablesRefusedException extends InvalidRequestException {

  private static final long serialVersionUID = 1L;

  public TaskVariablesRefusedException(String message) {
    super(Status.BAD_REQUEST, message);
  }
}
