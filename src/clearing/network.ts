/**
 * The clearing network as this node sees it at run time: its own brands (with their SOAR
 * clients, registered as they connect) and a peer client per peer node. Functions, services
 * and peer routes reach other brands only through this object.
 */
import { brandOwner, networkBrands, type BrandOwner } from '../config/index.js';
import type { AppConfig, BrandConfig, PeerConfig } from '../config/types.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import type { SoarClient } from '../soar/client.js';
import type { Logger } from '../core/types.js';
import { Metrics } from '../core/metrics.js';
import type { Whitelist } from '../config/whitelist.js';
import { PeerClient } from './peer-client.js';

export class ClearingNetwork {
  readonly nodeId: string;
  private readonly peers = new Map<string, PeerClient>();
  private readonly local = new Map<string, SoarClient>();

  /** The node's metrics; what the peer clients, the worker, the sweep and the pushes record into. */
  constructor(readonly config: AppConfig, readonly log: Logger, readonly metrics: Metrics = new Metrics()) {
    this.nodeId = config.node.id;
    const { network, node } = config;
    if (network && node.tls) {
      for (const peer of network.peers) {
        this.peers.set(peer.id, new PeerClient({ self: { id: node.id, tls: node.tls }, peer, timeoutMs: network.timeout_ms, log, metrics }));
      }
    }
  }

  /** Every brand of the network, this node's included, sorted. */
  get brands(): string[] {
    return networkBrands(this.config);
  }

  get localBrands(): readonly BrandConfig[] {
    return this.config.brands;
  }

  get peerClients(): readonly PeerClient[] {
    return [...this.peers.values()];
  }

  registerLocal(brand: string, soar: SoarClient): void {
    this.local.set(brand, soar);
  }

  owner(brand: string): BrandOwner | null {
    return brandOwner(this.config, brand);
  }

  isLocal(brand: string): boolean {
    return this.owner(brand)?.kind === 'local';
  }

  /** The SOAR client of one of this node's brands; a clear error when it is not (yet) connected. */
  soarOf(brand: string): SoarClient {
    const soar = this.local.get(brand);
    if (!soar) throw new ClearingError(ErrorCode.SoarUnreachable, `brand '${brand}' is not connected to its SOAR on node '${this.nodeId}'`, { httpStatus: 503, retryable: true });
    return soar;
  }

  /** The client of the peer node serving `brand`; a clear error for a brand nobody serves. */
  peerFor(brand: string): PeerClient {
    const owner = this.owner(brand);
    if (owner?.kind !== 'peer') {
      throw new ClearingError(ErrorCode.InputInvalid, owner ? `brand '${brand}' is served by this node` : `brand '${brand}' is not part of the clearing network (known: ${this.brands.join(', ')})`);
    }
    return this.clientOf(owner.peer);
  }

  /** The client of a peer node as `owner()` answered it, for a caller that resolved the brand already. */
  clientOf(peer: PeerConfig): PeerClient {
    return this.peers.get(peer.id)!;
  }

  whitelistOf(brand: string): Whitelist {
    return this.config.brands.find((b) => b.id === brand)?.whitelist ?? this.config.whitelist;
  }

  close(): void {
    for (const p of this.peers.values()) p.close();
  }
}
