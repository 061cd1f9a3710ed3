//! A loopback TCP relay in front of the fake's HTTP server, for the failures that happen below
//! HTTP: a connection reset after the server has applied a request (the reply never comes),
//! and a reply cut off in the middle of its body.
//!
//! The router marks a reply to break with the [`MARKER`] header; the relay reads the head of
//! every reply on its way back, forwards unmarked replies byte for byte, and breaks the
//! connection of a marked one. Only [`FakeTenantBuilder::connection_faults`] starts it, so
//! tenants without it keep a direct connection.
//!
//! [`FakeTenantBuilder::connection_faults`]: crate::FakeTenantBuilder::connection_faults

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The header by which the router asks the relay to break a reply (never reaches a client
/// of a reset connection; a cut reply carries it in its head).
pub(crate) const MARKER: &str = "x-testkit-connection-fault";
/// [`MARKER`] value: reset the connection (TCP RST) before the first byte of the reply.
pub(crate) const RESET: &str = "reset";
/// [`MARKER`] value: send the head and half of the body, then close the connection.
pub(crate) const CUT_BODY: &str = "cut-body";

/// A bound relay; dropping it stops accepting connections.
#[derive(Debug)]
pub(crate) struct Relay {
    address: SocketAddr,
    accept: JoinHandle<()>,
}

impl Relay {
    /// Listens on a free port of 127.0.0.1 and relays every connection to `upstream`.
    pub(crate) async fn start(upstream: SocketAddr) -> io::Result<Relay> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let accept = tokio::spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((client, _)) => {
                        tokio::spawn(relay_connection(client, upstream));
                    }
                    // Out of descriptors or the like: wait a little rather than spin.
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        });
        Ok(Relay { address, accept })
    }

    /// Where clients connect.
    pub(crate) fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// How the stream of replies on one connection ended.
enum End {
    /// The server closed its side (or an I/O error): close ours too.
    Closed,
    /// A reply marked [`RESET`]: reset the client's connection.
    Reset,
    /// A reply marked [`CUT_BODY`]: its head and half its body went out; close.
    Cut,
}

async fn relay_connection(client: TcpStream, upstream: SocketAddr) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return; // dropping `client` closes it: the caller sees the failure
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut client_read, mut client_write) = client.into_split();
    let (server_read, mut server_write) = server.into_split();
    let requests = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
        let _ = server_write.shutdown().await;
    });
    match replies(server_read, &mut client_write).await {
        End::Closed => {
            let _ = client_write.shutdown().await;
            // The request side ends when the client closes its side.
        }
        End::Reset => {
            // SO_LINGER 0 turns the close into a RST. The deprecation warns that a non-zero
            // linger blocks the thread on drop; a zero linger does not.
            #[allow(deprecated)]
            let _ = client_write.as_ref().set_linger(Some(Duration::ZERO));
            requests.abort();
            let _ = requests.await; // the read half is dropped with the task
            drop(client_write);
        }
        End::Cut => {
            let _ = client_write.shutdown().await;
            requests.abort();
            let _ = requests.await;
        }
    }
}

/// What the relay knows of the reply whose head starts the buffer.
enum Head {
    /// More bytes are needed.
    Partial,
    /// A complete head of `len` bytes, a body of `body` bytes (`None`: until the connection
    /// closes, e.g. a chunked body) and the fault the router marked it with.
    Complete {
        len: usize,
        body: Option<usize>,
        fault: Option<&'static str>,
    },
    /// Not an HTTP/1 reply head: pass everything through from here on.
    Unknown,
}

fn parse_head(buf: &[u8]) -> Head {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut reply = httparse::Response::new(&mut headers);
    let len = match reply.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Head::Partial,
        Err(_) => return Head::Unknown,
    };
    let no_body = matches!(reply.code, Some(100..=199 | 204 | 304));
    let mut body = if no_body { Some(0) } else { None };
    let mut fault = None;
    for header in reply.headers.iter() {
        if header.name.eq_ignore_ascii_case("content-length") && !no_body {
            body = std::str::from_utf8(header.value)
                .ok()
                .and_then(|v| v.trim().parse().ok());
        } else if header.name.eq_ignore_ascii_case(MARKER) {
            fault = match header.value {
                v if v == RESET.as_bytes() => Some(RESET),
                v if v == CUT_BODY.as_bytes() => Some(CUT_BODY),
                _ => None,
            };
        }
    }
    Head::Complete { len, body, fault }
}

/// Forwards the server's replies to the client until one is marked or a side closes.
async fn replies(mut server: OwnedReadHalf, client: &mut OwnedWriteHalf) -> End {
    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut chunk = vec![0u8; 16 * 1024];
    // Body bytes of the current reply still to forward; `None`: everything, until close.
    let mut body_left: Option<usize> = Some(0);
    loop {
        match body_left {
            None => {
                if client.write_all(&buf).await.is_err() {
                    return End::Closed;
                }
                buf.clear();
            }
            Some(left) if left > 0 && !buf.is_empty() => {
                let n = left.min(buf.len());
                if client.write_all(&buf[..n]).await.is_err() {
                    return End::Closed;
                }
                buf.drain(..n);
                body_left = Some(left - n);
            }
            _ => {}
        }
        if body_left == Some(0) && !buf.is_empty() {
            match parse_head(&buf) {
                Head::Partial => {}
                Head::Unknown => {
                    body_left = None;
                    continue;
                }
                Head::Complete { fault: Some(f), .. } if f == RESET => return End::Reset,
                Head::Complete {
                    len,
                    body,
                    fault: Some(_),
                } => {
                    // Half the body (at least one byte of a non-empty one), once it is here.
                    let half = body.map_or(1, |b| b.div_ceil(2));
                    if buf.len() >= len + half {
                        let _ = client.write_all(&buf[..len + half]).await;
                        let _ = client.flush().await;
                        return End::Cut;
                    }
                }
                Head::Complete {
                    len,
                    body,
                    fault: None,
                } => {
                    if client.write_all(&buf[..len]).await.is_err() {
                        return End::Closed;
                    }
                    buf.drain(..len);
                    body_left = body;
                    continue;
                }
            }
        }
        match server.read(&mut chunk).await {
            Ok(0) | Err(_) => {
                if !buf.is_empty() {
                    let _ = client.write_all(&buf).await;
                }
                return End::Closed;
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_is_read_with_its_length_and_mark() {
        let reply: &[u8] = concat!(
            "HTTP/1.1 200 OK\r\n",
            "content-length: 12\r\n",
            "x-testkit-connection-fault: cut-body\r\n\r\n",
            "{\"code\": 0}\n",
        )
        .as_bytes();
        match parse_head(reply) {
            Head::Complete { len, body, fault } => {
                assert_eq!(len, reply.len() - 12);
                assert_eq!(body, Some(12));
                assert_eq!(fault, Some(CUT_BODY));
            }
            _ => panic!("a complete head"),
        }
        assert!(matches!(
            parse_head(b"HTTP/1.1 200 OK\r\ncontent-len"),
            Head::Partial
        ));
        assert!(matches!(parse_head(b"\x16\x03\x01 tls"), Head::Unknown));
        match parse_head(b"HTTP/1.1 204 No Content\r\nx-testkit-connection-fault: other\r\n\r\n") {
            Head::Complete { body, fault, .. } => {
                assert_eq!(body, Some(0));
                assert_eq!(fault, None, "only the two known marks count");
            }
            _ => panic!("a complete head"),
        }
    }
}
