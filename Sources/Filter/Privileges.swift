public import ScanmilterConfiguration
import Foundation

/// Socket ownership and the switch to an unprivileged user, done once the socket is open
/// (binding may need root; scanning never does).
enum Privileges {
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Sets a unix socket's owner, group and mode from `[milter]`.
    static func prepareSocket(_ path: String?, settings: MilterSettings) throws {
        guard let path else { return }
        if chmod(path, mode_t(settings.socketMode)) != 0 {
            throw Failure(message: "chmod \(path): \(String(cString: strerror(errno)))")
        }
        guard !settings.socketOwner.isEmpty || !settings.socketGroup.isEmpty else { return }
        let uid = settings.socketOwner.isEmpty ? uid_t.max : try userID(settings.socketOwner)
        let gid = settings.socketGroup.isEmpty ? gid_t.max : try groupID(settings.socketGroup)
        if chown(path, uid, gid) != 0 {
            throw Failure(message: "chown \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Becomes `user` (and `group`, or the user's primary group); nothing when both are empty.
    static func drop(user: String, group: String) throws {
        guard !user.isEmpty || !group.isEmpty else { return }
        var gid = getgid()
        if !group.isEmpty { gid = try groupID(group) }
        if !user.isEmpty {
            guard let entry = getpwnam(user) else { throw Failure(message: "[milter] user: no such user '\(user)'") }
            if group.isEmpty { gid = entry.pointee.pw_gid }
            if initgroups(user, gid) != 0 { throw Failure(message: "initgroups \(user): \(String(cString: strerror(errno)))") }
        }
        if setgid(gid) != 0 { throw Failure(message: "setgid \(gid): \(String(cString: strerror(errno)))") }
        if !user.isEmpty {
            let uid = try userID(user)
            if setuid(uid) != 0 { throw Failure(message: "setuid \(user): \(String(cString: strerror(errno)))") }
        }
    }

    private static func userID(_ name: String) throws -> uid_t {
        if let numeric = uid_t(name) { return numeric }
        guard let entry = getpwnam(name) else { throw Failure(message: "no such user '\(name)'") }
        return entry.pointee.pw_uid
    }

    private static func groupID(_ name: String) throws -> gid_t {
        if let numeric = gid_t(name) { return numeric }
        guard let entry = getgrnam(name) else { throw Failure(message: "no such group '\(name)'") }
        return entry.pointee.gr_gid
    }
}

extension FilterService {
    /// Becomes `[milter] user` and `group` (nothing when both are empty): what the daemon does
    /// once its socket listens, and what its scan zygote does before it loads the signatures.
    public static func dropPrivileges(_ milter: MilterSettings) throws {
        try Privileges.drop(user: milter.user, group: milter.group)
    }
}
