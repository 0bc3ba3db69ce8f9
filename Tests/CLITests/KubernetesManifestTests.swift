import Foundation
import Testing
import TestSupport

/// The deployment manifests and the in-test API server are themselves checked (issue 8).
@Suite(.serialized)
struct KubernetesManifestTests {
    @Test("config/ renders with kubectl kustomize; CRDs are structural; samples validate and invalid ones are refused")
    func manifests() {
        let result = Command.run("/bin/bash", [TestEnvironment.repoRoot + "/scripts/validate-manifests.sh"])
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
