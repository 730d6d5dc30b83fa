import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where log lines go: a file descriptor, or a closure in tests.
///
/// Each line is written whole under this output's lock, so lines from concurrent loggers
/// never interleave. Share one output between all handlers writing to the same place.
public final class LogOutput: Sendable {
    private enum Sink: Sendable {
        case fileDescriptor(Int32)
        case lines(@Sendable (String) -> Void)
    }

    private let sink: Sink
    private let lock = Mutex(())

    /// The process's standard output.
    ///
    /// One shared instance, because file descriptor 1 is one per process: handlers with
    /// separate locks on it could interleave their lines.
    public static let standardOutput = LogOutput(fileDescriptor: STDOUT_FILENO)

    /// The process's standard error; shared for the same reason as ``standardOutput``.
    public static let standardError = LogOutput(fileDescriptor: STDERR_FILENO)

    /// Writes lines to an open file descriptor, which the output does not close.
    public init(fileDescriptor: Int32) {
        self.sink = .fileDescriptor(fileDescriptor)
    }

    /// Hands each line, without its trailing newline, to `receive` (for tests). Calls are
    /// serialised by the output's lock.
    public init(lines receive: @escaping @Sendable (String) -> Void) {
        self.sink = .lines(receive)
    }

    /// Writes one line; `bytes` ends with a newline.
    func writeLine(_ bytes: [UInt8]) {
        self.lock.withLock { _ in
            switch self.sink {
            case .fileDescriptor(let descriptor):
                Self.writeFully(descriptor, bytes)
            case .lines(let receive):
                receive(String(decoding: bytes.dropLast(), as: UTF8.self))
            }
        }
    }

    /// Writes all of `bytes`, retrying short writes and interruptions. A failing descriptor
    /// drops the rest of the line: a log call has no one to report the failure to.
    private static func writeFully(_ descriptor: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&ready, 1, -1)
                } else {
                    return
                }
            }
        }
    }
}
