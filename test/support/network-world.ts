/**
 * A clearing network on one machine for end-to-end tests: per region an emulated SOAR (its own
 * HTTPS server, customized with the app's export.res, its rules running workflows over the real
 * broker) and a real ClearingNode in-process (worker + peer API over mutual TLS).
 * Default: region eu (node `eu`, brand `soar2`, org 201) and region us (node `us`, brand
 * `soar3`, org 202), the seed system's two regions.
 */
import type { FunctionDefinition } from '../../src/worker/function.js';
import { loadConfig } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import { installCustomization } from '../../src/app/customize.js';
import { SoarEmulator } from '../../sim/emulator/server.js';
import { copiesQuery } from '../../src/clearing/receive.js';
import { ClearingNode } from '../../src/app/node.js';
import { SoarClient } from '../../src/soar/client.js';
import type { Incident } from '../../src/soar/dto.js';
import type { Logger } from '../../src/core/types.js';
import { buildExport, customization } from '../../customize/build.js';
import { functions as allFunctions } from '../../functions/index.js';
import { freePorts, sharedBroker, type SharedBrokerInfo } from './broker.js';
import { type NodeCert, makeNodeCert } from './certs.js';
import { memoryLogger } from './loggers.js';
import { writeConfig } from './world.js';

export interface RegionSpec {
  readonly nodeId: string;
  readonly brand: string;
  /** The emulator org the brand lives in (orgs differ so the regions' queues never mix). */
  readonly org: string;
  /** Give the region's emulator this one org (id and `org` as name) instead of the sample's. */
  readonly orgId?: number;
}

export interface Region {
  readonly spec: RegionSpec;
  readonly emulator: SoarEmulator;
  readonly configPath: string;
  readonly config: AppConfig;
  /** An admin's SOAR client on this region's SOAR, for arranging and asserting. */
  readonly soar: SoarClient;
  readonly node: ClearingNode;
  readonly peerPort: number;
  /** The admin listener's port (with `admin: true`), else 0. */
  readonly adminPort: number;
  /** The node's log lines. */
  readonly lines: string[];
  readonly log: Logger;
}

export interface NetworkWorldOptions {
  readonly regions?: readonly RegionSpec[];
  /** Body of a `whitelist:` section (YAML, indented two spaces) for every node. */
  readonly whitelistYaml?: string;
  /**
   * Top-level YAML sections for every node's config. Default: a `triage:` section without the
   * periodic sweep, so that only tests calling `node.triageSweep.runOnce()` see it act.
   */
  readonly extraYaml?: string;
  readonly functions?: readonly FunctionDefinition[];
  /**
   * Each node's certificate, key and network CA (e.g. made by `soar-clearing pki`). Default:
   * the openssl test PKI's node certificates (makeNodeCert).
   */
  readonly nodeCert?: (nodeId: string) => NodeCert;
  /** false: leave the nodes unstarted (tests that start them themselves). */
  readonly start?: boolean;
  /** Give every node an admin listener (`admin:` section) on a port of its own (Region.adminPort). */
  readonly admin?: boolean;
  /** Give every node a web UI (`web:` section) with these settings. */
  readonly web?: {
    readonly allowedGroups: readonly string[];
    readonly idleTimeoutMinutes?: number;
    readonly loginMaxFailures?: number;
    /** The web UI's clock (sessions and throttling). */
    readonly clock?: () => number;
  };
}

/** The `web:` section of a test node. */
function webYaml(port: number, web: NonNullable<NetworkWorldOptions['web']>): string {
  return `web:
  listen: { host: 127.0.0.1, port: ${port} }
  session_secret: test-session-secret-0123456789abcdef
  idle_timeout_minutes: ${web.idleTimeoutMinutes ?? 30}
  allowed_groups: [${web.allowedGroups.join(', ')}]
  login_throttle: { max_failures: ${web.loginMaxFailures ?? 5}, window_s: 300 }
`;
}

export const DEFAULT_REGIONS: readonly RegionSpec[] = [
  { nodeId: 'eu', brand: 'soar2', org: 'Test Organization' },
  { nodeId: 'us', brand: 'soar3', org: 'Test Organization 2' },
];

/** Three regions: the default two and region ap (node `ap`, brand `soar4`, its own org 203). */
export const THREE_REGIONS: readonly RegionSpec[] = [
  ...DEFAULT_REGIONS,
  { nodeId: 'ap', brand: 'soar4', org: 'Test Organization 3', orgId: 203 },
];

export class NetworkWorld {
  private constructor(readonly broker: SharedBrokerInfo, readonly regions: Map<string, Region>) {}

  static async start(opts: NetworkWorldOptions = {}): Promise<NetworkWorld> {
    const broker = await sharedBroker();
    const specs = opts.regions ?? DEFAULT_REGIONS;
    // Peer API and web UI ports of every node, chosen together so that none is chosen twice.
    const free = await freePorts(specs.length * 3);
    const ports = new Map(specs.map((spec, i) => [spec.nodeId, free[i]!]));
    const webPorts = new Map(specs.map((spec, i) => [spec.nodeId, free[specs.length + i]!]));
    const adminPorts = new Map(specs.map((spec, i) => [spec.nodeId, opts.admin ? free[2 * specs.length + i]! : 0]));
    const regions = new Map<string, Region>();
    const world = new NetworkWorld(broker, regions);
    // A failed start stops what it started, so no server or client keeps the test file alive.
    const started: { stop(): Promise<void> }[] = [];
    try {
      for (const spec of specs) await NetworkWorld.addRegion(spec, specs, ports, webPorts.get(spec.nodeId)!, adminPorts.get(spec.nodeId)!, opts, broker, regions, started);
      if (opts.start !== false) await Promise.all([...regions.values()].map((r) => world.startNode(r.spec.nodeId)));
    } catch (err) {
      for (const s of started.reverse()) await s.stop().catch(() => undefined);
      throw err;
    }
    return world;
  }

  private static async addRegion(
    spec: RegionSpec,
    specs: readonly RegionSpec[],
    ports: ReadonlyMap<string, number>,
    webPort: number,
    adminPort: number,
    opts: NetworkWorldOptions,
    broker: SharedBrokerInfo,
    regions: Map<string, Region>,
    started: { stop(): Promise<void> }[],
  ): Promise<void> {
    const orgs = spec.orgId !== undefined ? { orgs: [{ id: spec.orgId, name: spec.org }] } : {};
    const emulator = await SoarEmulator.start({ pki: broker.pki, broker: { port: broker.stompPort }, ...orgs });
    started.push(emulator);
    const peers = Object.fromEntries(specs.filter((s) => s !== spec).map((s) => [s.nodeId, { url: `https://127.0.0.1:${ports.get(s.nodeId)}`, brands: [s.brand] }]));
    const configPath = writeConfig(broker.pki.caCert, {
      soarPort: emulator.port,
      stompPort: broker.stompPort,
      destination: customization.destination,
      nodeId: spec.nodeId,
      brandId: spec.brand,
      org: spec.org,
      extraYaml: [opts.extraYaml ?? 'triage:\n  sweep_interval_s: 0', ...(opts.web ? [webYaml(webPort, opts.web)] : []), ...(adminPort ? [`admin:\n  listen: { host: 127.0.0.1, port: ${adminPort} }`] : [])].join('\n'),
      network: {
        cert: opts.nodeCert?.(spec.nodeId) ?? makeNodeCert(broker.pki, spec.nodeId),
        listenPort: ports.get(spec.nodeId)!,
        primary: specs[0]!.nodeId,
        peers,
        ...(opts.whitelistYaml ? { whitelistYaml: opts.whitelistYaml } : {}),
      },
    });
    const config = loadConfig({ path: configPath, env: {} });
    const { log, lines } = memoryLogger();
    const soar = await SoarClient.connect(config.brands[0]!.soar);
    started.push({ stop: () => soar.close() });
    await installCustomization(soar, buildExport(), customization.destination, log);
    const node = new ClearingNode(config, opts.functions ?? allFunctions, log, opts.web?.clock ? { webClock: opts.web.clock } : {});
    started.push(node);
    regions.set(spec.nodeId, { spec, emulator, configPath, config, soar, node, peerPort: ports.get(spec.nodeId)!, adminPort, lines, log });
  }

  region(nodeId: string): Region {
    const r = this.regions.get(nodeId);
    if (!r) throw new Error(`no region ${nodeId}`);
    return r;
  }

  /** Starts a region's node and waits until its worker is subscribed. */
  async startNode(nodeId: string): Promise<void> {
    const r = this.region(nodeId);
    await r.node.start();
    await Promise.all(r.node.workers.map((w) => w.start()));
  }

  async stopNode(nodeId: string): Promise<void> {
    await this.region(nodeId).node.stop();
  }

  /** Waits until no workflow runs in any region's SOAR. */
  async settle(timeoutMs = 30_000): Promise<void> {
    await Promise.all([...this.regions.values()].map((r) => r.emulator.workflows.waitIdle(timeoutMs)));
  }

  /** The copies of an origin incident in a region's SOAR (the receiving side's own query). */
  async copiesOf(nodeId: string, originBrand: string, originId: number): Promise<Incident[]> {
    return (await this.region(nodeId).soar.queryIncidentsPaged(copiesQuery(originBrand, originId))).data;
  }

  async stop(): Promise<void> {
    for (const r of this.regions.values()) {
      await r.node.stop().catch(() => undefined);
      await r.soar.close().catch(() => undefined);
      await r.emulator.stop();
    }
  }
}
