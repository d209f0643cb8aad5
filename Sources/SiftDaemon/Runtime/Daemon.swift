import Foundation
import GPT2
import Logging
import NIOPosix
import ServiceLifecycle
import SiftSystemd
import SpamStore
import UnixSignals

/// siftd assembled: store, journal, model, batcher and socket server, run as services.
///
/// Services stop in reverse order at graceful shutdown: the reload listener, then the server
/// (stops accepting, answers what it has read), the batcher (finishes its queue), and last the
/// journal (writes every prediction). ``run()`` then closes the store.
public final class Daemon: Sendable {
    public struct Options: Sendable {
        /// Re-reads the config on reload; nil: reloads keep the config and reload only the model.
        public var loader: DaemonConfigLoader?
        /// How the model to serve is found; default: ``StoreModelSource``.
        public var modelSource: (@Sendable (any SiftStore) -> any ModelSource)?
        /// SIGTERM/SIGINT shut down, SIGHUP reloads. Off for daemons inside another program (tests, benchmarks).
        public var handlesSignals: Bool
        public var observer: any LifecycleObserver
        /// Starts `siftd train` for the retraining loop; nil: `retrain` is refused and nothing is scheduled.
        public var trainer: TrainerLauncher?

        public init(
            loader: DaemonConfigLoader? = nil, modelSource: (@Sendable (any SiftStore) -> any ModelSource)? = nil,
            handlesSignals: Bool = false,
            observer: any LifecycleObserver = SilentLifecycleObserver(), trainer: TrainerLauncher? = nil
        ) {
            self.trainer = trainer
            self.loader = loader
            self.modelSource = modelSource
            self.handlesSignals = handlesSignals
            self.observer = observer
        }
    }

    public let context: DaemonContext
    private let reloader: Reloader
    private let observer: any LifecycleObserver
    private let logger: Logger
    private let eventLoops: MultiThreadedEventLoopGroup
    private let serviceGroup: ServiceGroup

    /// Opens the store, loads the model and binds the socket: when this returns, clients can
    /// connect (they are answered once ``run()`` is called).
    public static func start(config: DaemonConfig, options: Options = Options(), logger: Logger) async throws -> Daemon {
        // Trapped before the model loads, so a SIGTERM during start-up (systemd stopping a unit
        // that is still loading) is a clean stop once serving begins, not death by the default action.
        let terminations = options.handlesSignals ? await UnixSignalsSequence(trapping: .sigterm, .sigint) : nil
        logger.info("starting", metadata: ["state_dir": "\(config.stateDirectory)", "base": "\(config.baseModelDirectory)"])
        // Messages are private: the store and everything else siftd creates is 0640 at most
        // (0600 under the unit's UMask=0077). Only ever tightened, never loosened.
        umask(umask(0o027) | 0o027)
        // Big request buffers (a 1 MiB line, its text) are mmapped and returned to the system
        // when freed. Otherwise glibc raises its mmap threshold after the first such free and
        // serves them from per-thread arenas that keep the memory: RSS would grow with the
        // largest burst ever seen instead of staying within what admission control allows.
        _ = glibcMallopt(-3 /* M_MMAP_THRESHOLD */, 256 << 10)
        try FileManager.default.createDirectory(atPath: config.stateDirectory, withIntermediateDirectories: true)
        let store = try StoreOpener.open(config)
        let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let metrics = DaemonMetrics()
            let reasons = DegradedReasons(metrics: metrics)
            let freeSpace = FreeSpace(directory: config.stateDirectory, floor: config.storage.minFreeBytes, reasons: reasons, metrics: metrics)
            let journal = Journal(
                store: store, settings: Journal.Settings(config.journal), metrics: metrics, logger: logger,
                reasons: reasons, freeSpace: freeSpace)
            try journal.open()
            BLAS.setThreads(config.model.threads)  // the batcher divides them for the model it serves
            AbandonedRuns.recover(config, store: store, logger: logger)
            let source = options.modelSource?(store) ?? StoreModelSource(store: store)
            let model = try await BlockingWork.run(on: BlockingWork.models) { try source.load(config) }
            let models = ModelProvider(initial: model, source: source)
            let retraining = RetrainCoordinator(store: store, models: models, launcher: options.trainer, metrics: metrics, logger: logger)
            let batcher = Batcher(models: models, journal: journal, settings: Batcher.Settings(config), metrics: metrics, logger: logger)
            let context = DaemonContext(
                config: config, store: store, journal: journal, batcher: batcher, models: models, retraining: retraining,
                metrics: metrics, reasons: reasons, logger: logger)
            let operations = OperationTable.standard(context)
            let router = RequestRouter(table: operations, metrics: metrics, config: { context.config })
            let hangups = options.handlesSignals ? await UnixSignalsSequence(trapping: .sighup) : nil
            let server = try await SocketServer.bind(daemon: context, router: router, group: eventLoops, logger: logger)
            var spamcServer: SocketServer?
            if let socket = config.spamc.socket {
                let responder = SpamcResponder(
                    batcher: batcher, operations: operations, config: { context.config }, metrics: metrics, logger: logger)
                do {
                    spamcServer = try await SocketServer.bindSpamc(daemon: context, socket: socket, responder: responder, group: eventLoops, logger: logger)
                } catch {
                    await server.abandon()
                    throw error
                }
            }
            let reloader = Reloader(context: context, loader: options.loader, observer: options.observer, logger: logger)

            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
                .init(service: journal, successTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: batcher, successTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: server, successTerminationBehavior: .gracefullyShutdownGroup),
            ]
            if let spamcServer {
                // After the main server, so it stops first; both drain the same connections.
                services.append(.init(service: spamcServer, successTerminationBehavior: .gracefullyShutdownGroup))
            }
            services.append(.init(service: FleetService(context: context, startedAt: Date(), logger: logger), successTerminationBehavior: .ignore))
            if options.trainer != nil {
                services.append(.init(service: RetrainScheduleService(context: context, logger: logger), successTerminationBehavior: .ignore))
            }
            services.append(.init(
                service: StorageService(context: context, interval: .seconds(config.storage.checkIntervalSeconds), logger: logger),
                successTerminationBehavior: .ignore))
            services.append(.init(
                service: StatusService(context: context, observer: options.observer, interval: .seconds(10), logger: logger),
                successTerminationBehavior: .ignore))
            // systemd's WatchdogSec= (WATCHDOG_USEC): ping only while the batcher keeps up.
            if let interval = ServiceNotifier().watchdogInterval() {
                services.append(.init(
                    service: WatchdogService(interval: interval) { batcher.isMakingProgress(within: interval) },
                    successTerminationBehavior: .ignore))
                logger.info("watchdog enabled", metadata: ["interval": "\(interval)"])
            }
            if let hangups {
                services.append(.init(service: ReloadService(reloader: reloader, hangups: hangups), successTerminationBehavior: .ignore))
            }
            if let terminations {
                services.append(.init(service: TerminationSignalService(signals: terminations, logger: logger),
                                      successTerminationBehavior: .gracefullyShutdownGroup))
            }
            var configuration = ServiceGroupConfiguration(services: services, logger: logger)
            // Past this, ServiceGroup cancels the services: the drain has its own, shorter timeout.
            configuration.maximumGracefulShutdownDuration = .seconds(config.drainTimeoutSeconds + 60)
            return Daemon(
                context: context, reloader: reloader, observer: options.observer, logger: logger, eventLoops: eventLoops,
                serviceGroup: ServiceGroup(configuration: configuration))
        } catch {
            try? await eventLoops.shutdownGracefully()
            try? store.close()
            throw error
        }
    }

    private init(
        context: DaemonContext, reloader: Reloader, observer: any LifecycleObserver, logger: Logger,
        eventLoops: MultiThreadedEventLoopGroup, serviceGroup: ServiceGroup
    ) {
        self.context = context
        self.reloader = reloader
        self.observer = observer
        self.logger = logger
        self.eventLoops = eventLoops
        self.serviceGroup = serviceGroup
    }

    /// Serves until shutdown, then closes the store. Returns normally after a graceful shutdown.
    public func run() async throws {
        let version = context.models.current.version
        logger.info("ready", metadata: [
            "model": "\(version)", "socket": "\(context.config.socket.path)", "spamc_socket": "\(context.config.spamc.socket?.path ?? "off")",
        ])
        observer.daemonIsReady(status: "serving model \(version)")
        var failure: (any Error)?
        do {
            try await serviceGroup.run()
        } catch {
            failure = error
        }
        try? await eventLoops.shutdownGracefully()
        do {
            try context.store.close()
        } catch {
            failure = failure ?? error
        }
        if let failure { throw failure }
        logger.info("stopped")
    }

    /// Starts a graceful shutdown, as SIGTERM does.
    public func shutdown() async {
        await serviceGroup.triggerGracefulShutdown()
    }

    /// Reloads config and model, as SIGHUP does. Returns whether both were reloaded.
    @discardableResult
    public func reload() async -> Bool {
        await reloader.reload()
    }
}

/// glibc's mallopt(3), which Swift's Glibc module does not export.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
