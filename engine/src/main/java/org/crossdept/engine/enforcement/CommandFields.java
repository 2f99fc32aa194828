package org.crossdept.engine.enforcement;

import java.lang.reflect.Field;

/**
 * Reads a command's protected fields (taskId, variables, builder, ...) by the names Camunda 7.24's
 * sources give them. Commands expose no getters for what they were asked to do; reading the
 * fields is the only way an interceptor learns it. A field that is missing after an upgrade fails
 * loudly here rather than letting the command through unchecked.
 */
final class CommandFields {

  private CommandFields() {
  }

  static Object read(Object command, String name) {
    for (Class<?> type = command.getClass(); type != null; type = type.getSuperclass()) {
      try {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(command);
      } catch (NoSuchFieldException e) {
        // declared further up
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("cannot read " + name + " of " + command.getClass().getName(), e);
      }
    }
    throw new IllegalStateException(command.getClass().getName() + " has no field " + name
        + ": the engine's model enforcement needs updating for this Camunda version");
  }
}
