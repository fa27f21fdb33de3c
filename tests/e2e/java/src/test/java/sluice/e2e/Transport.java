package sluice.e2e;

/** How a test's client reaches the server: which SDK client, HTTP library, protocol and scheme. */
enum Transport {
  /** The sync client on the Apache HTTP client: HTTP/1.1 on http://. */
  APACHE_HTTP11(false, false, false),
  /** The sync client on the Apache HTTP client: HTTP/1.1 over TLS, trusting the made certificate. */
  APACHE_HTTPS11(false, true, false),
  /** The async client on Netty: HTTP/2 with prior knowledge on http:// (h2c). */
  NETTY_H2C(true, false, false),
  /** The async client on Netty: HTTP/2 over TLS chosen by ALPN. */
  NETTY_H2_ALPN(true, true, true),
  /** The async client on Netty: HTTP/2 over TLS without ALPN (the preface right after the handshake). */
  NETTY_H2_NO_ALPN(true, true, false);

  final boolean async;
  final boolean tls;
  final boolean alpn;

  Transport(boolean async, boolean tls, boolean alpn) {
    this.async = async;
    this.tls = tls;
    this.alpn = alpn;
  }
}
