// swift-tools-version:6.2
// libFuzzer targets for the code that reads untrusted bytes. Build and run them with
// `ops/fuzz.sh` (see docs/FUZZING.md); a plain `swift build` here builds them without
// the fuzzer runtime, which is only useful to check that they compile.
import PackageDescription

let package = Package(
    name: "cricalgo-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "cricalgo-runtime", path: "../.."),
    ],
    targets: [
        // The checks the fuzz targets run. The folder is a link to Sources/TestSupport/Fuzz,
        // so the normal test suite replays every fail case through exactly this code.
        .target(
            name: "FuzzChecks",
            dependencies: [.product(name: "Actors", package: "cricalgo-runtime")]
        ),
        // Each executable's `main`: libFuzzer's driver (see FuzzDriver.c).
        .target(name: "FuzzDriver"),
        .executableTarget(name: "FuzzWebhook", dependencies: ["FuzzChecks", "FuzzDriver"]),
        .executableTarget(name: "FuzzAmount", dependencies: ["FuzzChecks", "FuzzDriver"]),
        .executableTarget(name: "FuzzSignature", dependencies: ["FuzzChecks", "FuzzDriver"]),
        .executableTarget(name: "FuzzAdmin", dependencies: ["FuzzChecks", "FuzzDriver"]),
    ]
)
