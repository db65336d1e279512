package dev.reef.platform.internal;

import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.platform.ProblemWriter;
import dev.reef.platform.ReefProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies over the configured size with 413 before anyone reads them: by {@code Content-Length}
 * when the client declares one, and by counting bytes as they are read when it streams a chunked body.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
final class RequestBodyLimitFilter extends OncePerRequestFilter {

  private final long maxBytes;
  private final ProblemWriter problems;

  RequestBodyLimitFilter(ReefProperties properties, ProblemWriter problems) {
    this.maxBytes = properties.api().maxBodyBytes();
    this.problems = problems;
  }

  /** The LLM proxy carries large prompts and enforces its own limit (REEF_GATEWAY_MAX_BODY_BYTES). */
  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return request.getRequestURI().startsWith("/v1/");
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long declared = request.getContentLengthLong();
    if (declared > maxBytes) {
      problems.write(request, response, tooLarge());
      return;
    }
    chain.doFilter(declared >= 0 ? request : new CountingRequest(request, maxBytes), response);
  }

  private ProblemException tooLarge() {
    return new ProblemException(ProblemType.PAYLOAD_TOO_LARGE,
        "The request body is larger than the limit of " + maxBytes + " bytes (REEF_API_MAX_BODY_BYTES).")
        .with("maxBytes", maxBytes);
  }

  /** A request whose body stream fails once more than the limit has been read. */
  private final class CountingRequest extends HttpServletRequestWrapper {
    private final long limit;
    private ServletInputStream stream;

    CountingRequest(HttpServletRequest request, long limit) {
      super(request);
      this.limit = limit;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        ServletInputStream in = super.getInputStream();
        stream = new ServletInputStream() {
          private long read;

          @Override
          public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
              count(1);
            }
            return b;
          }

          @Override
          public int read(byte[] buf, int off, int len) throws IOException {
            int n = in.read(buf, off, len);
            if (n > 0) {
              count(n);
            }
            return n;
          }

          private void count(int n) {
            read += n;
            if (read > limit) {
              throw tooLarge();
            }
          }

          @Override
          public boolean isFinished() {
            return in.isFinished();
          }

          @Override
          public boolean isReady() {
            return in.isReady();
          }

          @Override
          public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
          }
        };
      }
      return stream;
    }
  }
}
