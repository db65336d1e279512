package dev.reef.access.internal;

import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.platform.ProblemWriter;
import dev.reef.platform.ReefProperties;
import jakarta.servlet.DispatcherType;
import java.util.Map;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;

/**
 * Three doors: the LLM proxy ({@code /v1/**}) authenticates each call itself (it answers in the providers' error
 * shapes); the API ({@code /api/**}) takes bearer credentials only, keeps no session and needs no CSRF token; the
 * dashboard takes an email and password, keeps a session (its id changes at login), and requires CSRF tokens on
 * every form.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

  /** Argon2id for new hashes; the {id} prefix lets stored hashes move to a stronger setting later. */
  @Bean
  PasswordEncoder passwordEncoder() {
    return new DelegatingPasswordEncoder("argon2", Map.of(
        "argon2", Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8(),
        "bcrypt", new BCryptPasswordEncoder()));
  }

  /**
   * The only authentication manager: dashboard passwords, no parent. Being a bean also keeps Spring Boot from
   * inventing an in-memory "user" with a generated password. Each attempt reaches {@link PasswordAuthentication}
   * exactly once, so the throttle counts what it is configured to count.
   */
  @Bean
  AuthenticationManager authenticationManager(UserRepository users, MembershipRepository memberships,
      PasswordEncoder encoder, LoginThrottle throttle, ApplicationEventPublisher events) {
    return new ProviderManager(new PasswordAuthentication(users, memberships, encoder, throttle, events));
  }

  /**
   * The proxy's servlet authenticates every call itself and answers in the providers' error shapes. It is the hot
   * path, so Spring Security's filter chain (even one that permits everything) is skipped for it entirely. The
   * channels' webhooks ({@code /hooks/**}) prove themselves with the secret Reef gave the channel, per request.
   */
  @Bean
  WebSecurityCustomizer gatewayBypassesSecurityFilters() {
    return web -> web.ignoring().requestMatchers("/v1/**", "/hooks/**");
  }

  @Bean
  @Order(1)
  SecurityFilterChain apiSecurity(HttpSecurity http, ApiKeyService keys, ReefProperties properties,
      ProblemWriter problems) throws Exception {
    // Bearer keys, or the session of a person signed in to the dashboard (so the dashboard's own scripts, and an
    // operator trying a call, use the API as themselves). A session is read, never created here; a request that
    // rides on one must carry its CSRF token in a header, as the dashboard's forms do; a bearer request needs none.
    http.securityMatcher("/api/**")
        .csrf(csrf -> csrf.ignoringRequestMatchers(request -> request.getHeader("Authorization") != null
            || request.getSession(false) == null))
        .securityContext(context -> context.securityContextRepository(new SessionReadOnlyContexts()))
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.NEVER))
        .requestCache(cache -> cache.disable())
        .httpBasic(basic -> basic.disable())
        .formLogin(form -> form.disable())
        .logout(logout -> logout.disable())
        .anonymous(anonymous -> { })
        .addFilterBefore(new BearerCredentialFilter(keys, properties, problems), AnonymousAuthenticationFilter.class)
        .authorizeHttpRequests(auth -> auth
            // The end of a streamed response (server-sent events) is dispatched again; it was authorised already.
            .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
            .requestMatchers(HttpMethod.POST, "/api/v1/signup", "/api/v1/invitations/accept").permitAll()
            .anyRequest().authenticated())
        .exceptionHandling(e -> e
            .authenticationEntryPoint((request, response, ex) -> {
              response.setHeader("WWW-Authenticate", "Bearer");
              problems.write(request, response, new ProblemException(ProblemType.UNAUTHENTICATED,
                  "Send an API key as 'Authorization: Bearer <key>'."));
            })
            .accessDeniedHandler((request, response, ex) -> problems.write(request, response,
                new ProblemException(ProblemType.FORBIDDEN, ex instanceof org.springframework.security.web.csrf
                    .CsrfException ? "A call with the dashboard's session needs its CSRF token in the X-CSRF-TOKEN "
                    + "header (the page's csrf-token meta tag), or use an API key." : "Not allowed."))));
    return http.build();
  }

  @Bean
  @Order(2)
  SecurityFilterChain dashboardSecurity(HttpSecurity http, AuthenticationManager passwords,
      SecondFactorStep secondFactor) throws Exception {
    http.authenticationManager(passwords)
        .authorizeHttpRequests(auth -> auth
            .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
            .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus", "/actuator/info")
            .permitAll()
            .requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui/**", "/swagger-ui.html").permitAll()
            .requestMatchers("/login", "/login/code", "/signup", "/invitation", "/invitation/accept", "/forgot-password",
                "/reset-password", "/css/**", "/js/**", "/images/**", "/webjars/**", "/favicon.ico",
                "/error")
            .permitAll()
            .anyRequest().authenticated())
        .formLogin(form -> form
            .loginPage("/login")
            .usernameParameter("email")
            .passwordParameter("password")
            .successHandler(secondFactor)
            .failureHandler((request, response, ex) -> response.sendRedirect(request.getContextPath()
                + (ex instanceof PasswordAuthentication.LoginThrottledException ? "/login?throttled" : "/login?error")))
            .permitAll())
        .logout(logout -> logout.logoutUrl("/logout").logoutSuccessUrl("/login?logout").permitAll())
        .sessionManagement(s -> s.sessionFixation(f -> f.changeSessionId()))
        .headers(headers -> headers
            .contentSecurityPolicy(csp -> csp.policyDirectives(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                    + "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"))
            .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN)));
    return http.build();
  }
}
