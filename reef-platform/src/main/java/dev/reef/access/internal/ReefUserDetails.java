package dev.reef.access.internal;

import dev.reef.common.UserId;
import java.util.Collection;
import java.util.List;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;

/** A signed-in dashboard user, kept in the session. Holds no password hash once authenticated. */
record ReefUserDetails(UserId userId, String email, String passwordHash, boolean operator)
    implements UserDetails, java.io.Serializable {

  @Override
  public Collection<? extends GrantedAuthority> getAuthorities() {
    return operator ? List.of(new SimpleGrantedAuthority("ROLE_OPERATOR"), new SimpleGrantedAuthority("ROLE_USER"))
        : List.of(new SimpleGrantedAuthority("ROLE_USER"));
  }

  @Override
  public String getPassword() {
    return passwordHash;
  }

  @Override
  public String getUsername() {
    return email;
  }

  ReefUserDetails withoutPassword() {
    return new ReefUserDetails(userId, email, null, operator);
  }

  @Override
  public String toString() {
    return "ReefUserDetails[" + email + "]";
  }
}
