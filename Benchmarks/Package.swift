// swift-tools-version:6.1

import PackageDescription

// SwiftPM names a path dependency after its directory, so the service package is known by
// whatever the checkout is called (`cricalgo-runtime`, or a worktree's name).
let service = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "cricalgo-runtime").lowercased()

// Load harness and micro-benchmarks for cricalgo-runtime. A package of its own (as
// swift-nio does) so that the service's build stays lean; it depends on the service
// through `../`.
// The service's `Runtime` module shares its name with the toolchain's backtracing module,
// which package-benchmark imports (`canImport(Runtime)`); inside this package the service's
// module is built and imported as `CricalgoRuntime` so the two never meet.
let runtimeAlias = ["Runtime": "CricalgoRuntime"]

let package = Package(
    name: "cricalgo-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        // The ARC counters of the runtime interposer crash on Linux here: enable only the
        // malloc interposer (explicit traits replace the package's defaults).
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
    ],
    targets: [
        // The load generator's engine: HTTP/1.1 client, schedules, histograms, reports.
        .target(
            name: "LoadKit",
            dependencies: [
                .product(name: "Actors", package: service, moduleAliases: runtimeAlias),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "webhook-bench",
            dependencies: [
                "LoadKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "echo-server",
            dependencies: [
                .product(name: "Actors", package: service, moduleAliases: runtimeAlias),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .executableTarget(
            name: "MicroBenchmarks",
            dependencies: [
                .product(name: "Actors", package: service, moduleAliases: runtimeAlias),
                .product(name: "Runtime", package: service, moduleAliases: runtimeAlias),
                .product(name: "TestSupport", package: service, moduleAliases: runtimeAlias),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Benchmarks/Micro",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
        .testTarget(
            name: "LoadKitTests",
            dependencies: [
                "LoadKit",
                .product(name: "Actors", package: service, moduleAliases: runtimeAlias),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ]
)
