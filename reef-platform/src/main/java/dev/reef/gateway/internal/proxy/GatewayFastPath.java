package dev.reef.gateway.internal.proxy;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.ClientAbortException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

/**
 * Hands a request Tomcat mapped to the gateway servlet ({@code /v1/*}) straight to it, past the servlet filter
 * chain. None of the filters applies to the proxy - it authenticates itself, keeps no session, reads raw bytes and
 * is measured by its own timer - yet running them (Spring Session, Spring Security's ignoring chain, the request
 * observation, form, encoding and resource URL filters, each wrapping the request) took about a tenth of the
 * proxy's CPU per call under load (JFR, docs/benchmarks.md). Every other request takes the usual way.
 */
final class GatewayFastPath extends ValveBase {

  private final String servletName;

  GatewayFastPath(String servletName) {
    super(true);
    this.servletName = servletName;
  }

  @Override
  public void invoke(Request request, Response response) throws IOException, ServletException {
    Wrapper wrapper = request.getWrapper();
    if (wrapper == null || !servletName.equals(wrapper.getName())
        || request.getDispatcherType() != DispatcherType.REQUEST) {
      getNext().invoke(request, response);
      return;
    }
    Servlet servlet = wrapper.allocate();
    try {
      servlet.service(request.getRequest(), response.getResponse());
    } catch (ClientAbortException gone) {
      // the client hung up; the proxy has already settled the call
    } finally {
      wrapper.deallocate(servlet);
    }
  }
}
