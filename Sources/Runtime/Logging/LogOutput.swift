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
/// Lines are never interleaved. Writes to a descriptor are coalesced: a logger that finds
/// another one writing appends its line to a pending buffer and returns at once; the writer
/// drains that buffer with one more `write(2)` when it is done. So an idle service writes
/// each line as it comes, and a busy one writes many lines per system call, with no timer
/// and no line held back. Share one output between all handlers writing to the same place.
public final class LogOutput: Sendable {
    private enum Sink: Sendable {
        case fileDescriptor(Int32)
        case lines(@Sendable (String) -> Void)
    }

    private struct Pending {
        var bytes: [UInt8] = []
        /// Whether some caller is in the middle of writing to the descriptor.
        var writing = false
    }

    private let sink: Sink
    private let lock = Mutex(())
    private let pending = Mutex(Pending())

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
        switch self.sink {
        case .fileDescriptor(let descriptor):
            self.coalescedWrite(descriptor, bytes)
        case .lines(let receive):
            self.lock.withLock { _ in receive(String(decoding: bytes.dropLast(), as: UTF8.self)) }
        }
    }

    private func coalescedWrite(_ descriptor: Int32, _ line: [UInt8]) {
        var chunk: [UInt8]? = self.pending.withLock { pending in
            pending.bytes.append(contentsOf: line)
            guard !pending.writing else { return nil }
            pending.writing = true
            defer { pending.bytes = [] }
            return pending.bytes
        }
        // This caller is now the writer until the pending buffer stays empty.
        while let bytes = chunk {
            Self.writeFully(descriptor, bytes)
            chunk = self.pending.withLock { pending in
                guard !pending.bytes.isEmpty else {
                    pending.writing = false
                    return nil
                }
                defer { pending.bytes = [] }
                return pending.bytes
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
