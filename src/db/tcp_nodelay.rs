//! `TCP_NODELAY` on the PostgreSQL connections.
//!
//! sqlx 0.9.0 stopped setting `TCP_NODELAY` on its TCP sockets (sqlx issue #4335; the fix,
//! #4336, is merged but not released). Without it, a statement longer than one TCP segment —
//! a multi-row insert of a dozen 4 KB events — leaves its tail in the kernel until the server's
//! delayed ACK, about 40 ms per statement: ingest into PostgreSQL on 127.0.0.1 ran at ~240
//! events/s against ~1,100 over its Unix socket (docs/benchmarks-history.md). sqlx does not hand out its
//! socket, so each time the pool opens a connection, the option is set on every TCP socket
//! of the process that is connected to the database server's port (setting it twice, or on
//! another connection to that port, does no harm). Remove this once sqlx sets it again.
use std::os::fd::{BorrowedFd, RawFd};

/// Sets `TCP_NODELAY` on the process's TCP sockets connected to `port`; returns how many.
pub fn set_on_connections_to(port: u16) -> usize {
    let Ok(entries) = std::fs::read_dir("/dev/fd") else {
        return 0;
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<RawFd>().ok())
        .filter(|&fd| {
            // SAFETY: the descriptor is only used for the getpeername/setsockopt calls below,
            // which fail harmlessly (EBADF, ENOTSOCK) should it have been closed or be no
            // socket; no ownership is taken and nothing is read or written through it.
            let fd = unsafe { BorrowedFd::borrow_raw(fd) };
            let socket = socket2::SockRef::from(&fd);
            let to_port = socket
                .peer_addr()
                .ok()
                .and_then(|peer| peer.as_socket())
                .is_some_and(|peer| peer.port() == port);
            to_port && socket.set_tcp_nodelay(true).is_ok()
        })
        .count()
}

#[cfg(test)]
mod tests {
    use std::net::{TcpListener, TcpStream};

    use super::*;

    #[test]
    fn sets_nodelay_on_sockets_to_the_port_only() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let other = TcpListener::bind("127.0.0.1:0").unwrap();
        let to_port = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let to_other = TcpStream::connect(other.local_addr().unwrap()).unwrap();
        assert!(!to_port.nodelay().unwrap());

        let set = set_on_connections_to(listener.local_addr().unwrap().port());

        assert!(set >= 1);
        assert!(to_port.nodelay().unwrap());
        assert!(!to_other.nodelay().unwrap());
    }
}
