package org.crossdept.engine.enforcement;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.impl.ProcessInstanceModificationBuilderImpl;
import org.camunda.bpm.engine.impl.ProcessInstantiationBuilderImpl;
import org.camunda.bpm.engine.impl.cmd.AbstractModificationCmd;
import org.camunda.bpm.engine.impl.cmd.AbstractRestartProcessInstanceCmd;
import org.camunda.bpm.engine.impl.cmd.ModifyProcessInstanceAsyncCmd;
import org.camunda.bpm.engine.impl.cmd.ModifyProcessInstanceCmd;
import org.camunda.bpm.engine.impl.cmd.StartProcessInstanceAtActivitiesCmd;
import org.camunda.bpm.engine.impl.migration.AbstractMigrationCmd;

/**
 * Refuses the ways of running a process other than along its model: starting somewhere else than
 * its start event, skipping listeners or input/output mappings, moving a running instance
 * (modification, sync or async, one instance or a batch), restarting finished ones, and migrating
 * instances to another version of the model (MigrateProcessInstanceCmd and its batch). Our models
 * record who acted and when in start listeners and put each step's checks on the path to the
 * next; each of these operations passes them by. Operators who repair an instance are
 * administrators.
 *
 * <p>The Java API refuses skip flags without start instructions itself
 * (ProcessInstantiationBuilderImpl throws before any command exists), so every start that can
 * skip anything arrives here as a StartProcessInstanceAtActivitiesCmd. Message starts
 * (MessageCorrelationBuilder) and start form submissions have neither instructions nor skip flags.
 */
final class ModelShortcutRule {

  static final String START_INSTRUCTIONS = "ENGINE-CROSSDEPT-01 start instructions are reserved for administrators: "
      + "a process starts at its start event, so its start listeners record who started it and when";
  static final String SKIP_LISTENERS = "ENGINE-CROSSDEPT-02 skipping custom listeners (skipCustomListeners) is "
      + "reserved for administrators: listeners record who acted and when, and set what later steps rely on";
  static final String SKIP_IO_MAPPINGS = "ENGINE-CROSSDEPT-03 skipping input/output mappings (skipIoMappings) is "
      + "reserved for administrators: the mappings give each step the variables the model says it works with";
  static final String MODIFICATION = "ENGINE-CROSSDEPT-04 process instance modification is reserved for "
      + "administrators: an instance moves only along its model's sequence flows, so every check on the way runs";
  static final String RESTART = "ENGINE-CROSSDEPT-05 restarting process instances is reserved for administrators: "
      + "a restart starts an instance at chosen activities with the old variables, past its start event's listeners";
  static final String MIGRATION = "ENGINE-CROSSDEPT-07 migrating process instances is reserved for administrators: "
      + "a migration moves an instance's steps into another version of the model";

  private ModelShortcutRule() {
  }

  static void check(Object command) {
    List<String> refused = new ArrayList<>();
    if (command instanceof StartProcessInstanceAtActivitiesCmd) {
      ProcessInstantiationBuilderImpl builder =
          (ProcessInstantiationBuilderImpl) CommandFields.read(command, "instantiationBuilder");
      ProcessInstanceModificationBuilderImpl instructions = builder.getModificationBuilder();
      refused.add(START_INSTRUCTIONS);
      skipFlags(instructions, refused);
    } else if (command instanceof ModifyProcessInstanceCmd || command instanceof ModifyProcessInstanceAsyncCmd) {
      refused.add(MODIFICATION);
      skipFlags((ProcessInstanceModificationBuilderImpl) CommandFields.read(command, "builder"), refused);
    } else if (command instanceof AbstractModificationCmd) {
      refused.add(MODIFICATION);
    } else if (command instanceof AbstractRestartProcessInstanceCmd) {
      refused.add(RESTART);
    } else if (command instanceof AbstractMigrationCmd) {
      refused.add(MIGRATION);
    }
    if (!refused.isEmpty()) {
      throw new ReservedForAdministratorsException(String.join("; ", refused));
    }
  }

  private static void skipFlags(ProcessInstanceModificationBuilderImpl builder, List<String> refused) {
    if (builder.isSkipCustomListeners()) {
      refused.add(SKIP_LISTENERS);
    }
    if (builder.isSkipIoMappings()) {
      refused.add(SKIP_IO_MAPPINGS);
    }
  }
}
