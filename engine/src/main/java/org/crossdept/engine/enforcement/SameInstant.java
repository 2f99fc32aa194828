package org.crossdept.engine.enforcement;

import java.text.ParseException;
import java.text.SimpleDateFormat;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Date;

/**
 * Whether text a form sends back names a Date variable's instant: ISO with an offset, Camunda's
 * REST format (2026-12-01T09:30:00.000+0800), or a local date-time or date in the engine's time
 * zone (a date alone equals the variable's day). Text that parses as none of these is different.
 */
final class SameInstant {

  private static final String CAMUNDA_REST_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSZ";

  private SameInstant() {
  }

  static boolean of(String text, Date date) {
    ZoneId zone = ZoneId.systemDefault();
    try {
      return OffsetDateTime.parse(text).toInstant().equals(date.toInstant());
    } catch (DateTimeParseException notIsoWithOffset) {
      // try the next form
    }
    try {
      return new SimpleDateFormat(CAMUNDA_REST_FORMAT).parse(text).equals(date);
    } catch (ParseException notCamundaFormat) {
      // try the next form
    }
    try {
      return LocalDateTime.parse(text).atZone(zone).toInstant().equals(date.toInstant());
    } catch (DateTimeParseException notLocalDateTime) {
      // try the next form
    }
    try {
      return LocalDate.parse(text).equals(date.toInstant().atZone(zone).toLocalDate());
    } catch (DateTimeParseException notLocalDate) {
      return false;
    }
  }
}
