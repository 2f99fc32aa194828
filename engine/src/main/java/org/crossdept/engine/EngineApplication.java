package org.crossdept.engine;

import org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.camunda.bpm.engine.rest.security.auth.impl.HttpBasicAuthenticationProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.util.StringUtils;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import org.springframework.web.filter.CorsFilter;

/**
 * Camunda 7.24 with REST and webapps. The one thing the Spring Boot starters lack compared with
 * Camunda Run is basic authentication on /engine-rest, which this class adds (on unless
 * crossdept.rest-auth=false), and CORS for /engine-rest (off unless crossdept.cors.allowed-origins
 * lists origins, comma-separated). Rules the engine enforces for every client, whatever Camunda's
 * authorizations allow, are in the enforcement package (ModelEnforcementPlugin).
 */
@SpringBootApplication
public class EngineApplication {

  public static void main(String[] args) {
    SpringApplication.run(EngineApplication.class, args);
  }

  @Bean
  @ConditionalOnProperty(name = "crossdept.rest-auth", havingValue = "true", matchIfMissing = true)
  public FilterRegistrationBean<ProcessEngineAuthenticationFilter> restBasicAuthentication() {
    FilterRegistrationBean<ProcessEngineAuthenticationFilter> registration =
        new FilterRegistrationBean<>(new ProcessEngineAuthenticationFilter());
    registration.setName("crossdept-rest-basic-auth");
    registration.addInitParameter(
        "authentication-provider", HttpBasicAuthenticationProvider.class.getName());
    registration.addUrlPatterns("/engine-rest/*");
    return registration;
  }

  @Bean
  @ConditionalOnProperty(name = "crossdept.cors.allowed-origins")
  public FilterRegistrationBean<CorsFilter> restCors(
      @Value("${crossdept.cors.allowed-origins}") String allowedOrigins) {
    CorsConfiguration cors = new CorsConfiguration();
    for (String origin : StringUtils.commaDelimitedListToStringArray(allowedOrigins)) {
      if (StringUtils.hasText(origin)) {
        // Patterns (not plain origins) so that "*" stays valid together with credentials.
        cors.addAllowedOriginPattern(origin.trim());
      }
    }
    cors.addAllowedMethod(CorsConfiguration.ALL);
    cors.addAllowedHeader(CorsConfiguration.ALL);
    cors.addExposedHeader("Content-Disposition");
    cors.setAllowCredentials(true);
    UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
    source.registerCorsConfiguration("/**", cors);
    FilterRegistrationBean<CorsFilter> registration = new FilterRegistrationBean<>(new CorsFilter(source));
    registration.setName("crossdept-rest-cors");
    registration.addUrlPatterns("/engine-rest/*");
    // Before the authentication filter: preflight requests carry no credentials and must not get 401.
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return registration;
  }
}
