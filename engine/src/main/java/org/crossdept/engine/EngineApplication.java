package org.crossdept.engine;

import org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.camunda.bpm.engine.rest.security.auth.impl.HttpBasicAuthenticationProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * Camunda 7.24 with REST and webapps. The one thing the Spring Boot starters lack compared with
 * Camunda Run is basic authentication on /engine-rest, which this class adds (on unless
 * crossdept.rest-auth=false).
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
}
