package dev.reef.tenancy.internal;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Sign-up")
class SignupController {

  private final SignupService signups;

  SignupController(SignupService signups) {
    this.signups = signups;
  }

  record Signup(@NotBlank @Size(max = 254) String email, @NotBlank @Size(max = 128) String password,
      @NotBlank @Size(max = 200) String tenantName) {}

  /** {@code apiKey} is the tenant's first key, with every scope; it is shown only in this response. */
  record SignedUpView(String tenantId, String userId, String apiKey, String slug) {}

  @PostMapping("/api/v1/signup")
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Sign up: creates a tenant, its owner and a first API key")
  SignedUpView signup(@Valid @RequestBody Signup body, HttpServletRequest request) {
    dev.reef.tenancy.Signups.SignedUp result = signups.signup(body.email(), body.password(), body.tenantName(),
        request.getRemoteAddr());
    return new SignedUpView(result.tenantId().toString(), result.userId().toString(), result.apiKey(),
        result.tenant().slug());
  }
}
