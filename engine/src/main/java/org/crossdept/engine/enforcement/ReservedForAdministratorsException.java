package org.crossdept.engine.enforcement;

import org.camunda.bpm.engine.AuthorizationException;

/**
 * An operation only administrators may perform. An AuthorizationException because that is what it
 * is, and because every REST resource passes AuthorizationException through unchanged (403 with
 * this message), where other engine exceptions often become a 500 that clients would retry.
 */
public class ReservedForAdministratorsException extends AuthorizationException {

  private static final long serialVersionUID = 1L;

  public ReservedForAdministratorsException(String message) {
    super(message);
  }
}
