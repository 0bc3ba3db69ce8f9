import Foundation
import Testing
import TestSupport

/// The deployment manifests and the in-test API server are themselves checked (issue 8).
///
/// Nothing is installed from here: `make deps` installs PyYAML and jsonschema
/// (python3-yaml, python3-jsonschema). Without them the manifest check skips
/// with that reason, except in CI, where it runs and fails loudly.
@Suite(.serialized)
struct KubernetesManifestTests {
    static let script = TestEnvironment.repoRoot + "/scripts/validate-manifests.sh"

    /// Whether the manifest check's Python modules are installed, or why not.
    static let pythonModules: (present: Bool, reason: String) = {
        let result = Command.run("/bin/bash", [script, "--check-deps"])
        return (result.status == 0, result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }()

    @Test("config/ renders with kubectl kustomize; CRDs are structural; samples validate and invalid ones are refused",
          .enabled(if: pythonModules.present || TestEnvironment.isCI, Comment(rawValue: pythonModules.reason)))
    func manifests() {
        let result = Command.run("/bin/bash", [Self.script])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("RESULT: PASS"))
    }

    @Test("the fake API server answers like the recorded responses of a real API server, and passes its own semantics tests")
    func fakeAPIServer() {
        for script in ["check_recorded.py", "selftest_fake_apiserver.py"] {
            let result = Command.run("/usr/bin/env", ["python3", TestEnvironment.repoRoot + "/testdata/kube/" + script])
            #expect(result.status == 0, "\(script): \(result.stdout)\n\(result.stderr)")
        }
    }
}
