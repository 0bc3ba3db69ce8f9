import Diagnostics
import Foundation
@testable import Namespaces
import Testing

@Suite struct ProcessStatusTests {
    static func statusText(name: String = "sleep", pid: Int32, ppid: Int32 = 1, uid: String = "1000\t1000\t1000\t1000",
                           nspid: String?, kthread: String? = nil) -> String {
        var lines = ["Name:\t\(name)", "Umask:\t0022", "State:\tS (sleeping)", "Tgid:\t\(pid)", "Ngid:\t0",
                     "Pid:\t\(pid)", "PPid:\t\(ppid)", "TracerPid:\t0", "Uid:\t\(uid)", "Gid:\t0\t0\t0\t0",
                     "FDSize:\t64", "Groups:\t "]
        if let nspid { lines += ["NStgid:\t\(nspid)", "NSpid:\t\(nspid)", "NSpgid:\t\(nspid)", "NSsid:\t\(nspid)"] }
        if let kthread { lines.append("Kthread:\t\(kthread)") }
        lines += ["VmPeak:\t    3060 kB", "Threads:\t1", "voluntary_ctxt_switches:\t1"]
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func singleEntryNSpid() throws {
        let status = try ProcessStatus(parsing: Self.statusText(pid: 9157, ppid: 9155, nspid: "9157"))
        #expect(status == ProcessStatus(name: "sleep", pid: 9157, tgid: 9157, ppid: 9155, uid: 1000, nspid: [9157]))
        #expect(!status.isKernelThread)
    }

    @Test func twoEntryNSpid() throws {
        let status = try ProcessStatus(parsing: Self.statusText(pid: 4242, ppid: 4241, uid: "0\t0\t0\t0", nspid: "4242\t1"))
        #expect(status.nspid == [4242, 1])
        #expect(status.uid == 0)
        #expect(status.ppid == 4241)
    }

    @Test func threeEntryNSpid() throws {
        let status = try ProcessStatus(parsing: Self.statusText(pid: 222225, nspid: "222225\t2158\t1"))
        #expect(status.nspid == [222225, 2158, 1])
        #expect(status.pid == 222225)
        #expect(status.tgid == 222225)
    }

    @Test func missingNSpidLineOnOldKernels() throws {
        let status = try ProcessStatus(parsing: Self.statusText(pid: 77, nspid: nil))
        #expect(status.nspid == [77])
        #expect(status.kernelThreadFlag == nil)
    }

    @Test func namesKeepSpacesAndColons() throws {
        let status = try ProcessStatus(parsing: Self.statusText(name: "kworker/0:1 x", pid: 5, nspid: "5"))
        #expect(status.name == "kworker/0:1 x")
    }

    @Test func kernelThreadDetection() throws {
        #expect(try ProcessStatus(parsing: Self.statusText(name: "kthreadd", pid: 2, ppid: 0, nspid: "2")).isKernelThread)
        #expect(try ProcessStatus(parsing: Self.statusText(name: "kworker", pid: 30, ppid: 2, nspid: "30")).isKernelThread)
        // The Kthread line wins over the pid rule: pid 2 in a nested namespace is a user process.
        let nested = try ProcessStatus(parsing: Self.statusText(pid: 2, ppid: 0, nspid: "2", kthread: "0"))
        #expect(!nested.isKernelThread)
        #expect(try ProcessStatus(parsing: Self.statusText(pid: 40, ppid: 7, nspid: "40", kthread: "1")).isKernelThread)
    }

    @Test func malformedTextThrows() {
        for text in ["", "Name:\tx\n", Self.statusText(pid: 1, nspid: "1").replacingOccurrences(of: "Pid:\t1\n", with: ""),
                     Self.statusText(pid: 1, nspid: "1 x"), Self.statusText(pid: 1, uid: "abc", nspid: "1")] {
            #expect(throws: NamespaceError.self) { try ProcessStatus(parsing: text) }
        }
        do {
            _ = try ProcessStatus(parsing: "Name:\tx\nPid:\t1\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .internal)
            #expect(error.message == "parse process status: missing Tgid field")
        }
    }

    @Test func readsOwnProcess() throws {
        let status = try ProcessStatus.read(pid: getpid())
        #expect(status.pid == getpid())
        #expect(status.tgid == getpid())
        #expect(status.ppid == getppid())
        #expect(status.uid == getuid())
        #expect(status.nspid.first == getpid())
        #expect(!status.isKernelThread)
        #expect(!ProcessStatus.isKernelThread(pid: getpid()))
    }

    @Test func missingProcessIsNotFound() {
        let pid: Int32 = Int32.max - 1
        do {
            _ = try ProcessStatus.read(pid: pid)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.message == "no such process \(pid)")
        }
        #expect(!ProcessStatus.isKernelThread(pid: pid))
    }

    /// `PROC_PID_INIT_INO`: the inode of the initial pid namespace, fixed by the kernel.
    static let initialPIDNamespaceInode: UInt64 = 0xEFFF_FFFC

    /// Pid 2 is kthreadd in the initial pid namespace; in any other (a
    /// container) kernel threads are invisible, so a pid 2 there is a user
    /// process or absent. Both cases assert what they see.
    @Test func pidTwoFollowsThePIDNamespace() throws {
        let inode = try #require(ProcFS.pidNamespaceInode(pid: getpid(), procRoot: "/proc"))
        if inode == Self.initialPIDNamespaceInode {
            let status = try ProcessStatus.read(pid: 2)
            #expect(status.name == "kthreadd")
            #expect(status.ppid == 0)
            #expect(ProcessStatus.isKernelThread(pid: 2))
        } else {
            #expect(!ProcessStatus.isKernelThread(pid: 2), "no kernel thread is visible outside the initial pid namespace")
            do {
                let status = try ProcessStatus.read(pid: 2)
                #expect(status.pid == 2)
                #expect(status.kernelThreadFlag != true)
            } catch {
                #expect(error.code == .notFound)
            }
        }
    }

    @Test func passwdParsing() {
        let passwd = PasswdFile(parsing: """
            # comment
            root:x:0:0:root:/root:/bin/bash
            daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin

            broken line
            :x:5:5::/:/bin/false
            alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash
            shadow-root:x:0:0::/:/bin/sh
            """)
        #expect(passwd.userName(of: 0) == "root")
        #expect(passwd.userName(of: 1) == "daemon")
        #expect(passwd.userName(of: 1000) == "alice")
        #expect(passwd.userName(of: 5) == "5")
        #expect(passwd.userName(of: 4242) == "4242")
    }
}
