/**
 * What the load tester aims at: read from a stack's outputs (the local
 * runner's outputs file or `pulumi stack output --json`), or a bare URL.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { parseSymbols, SymbolConfigError } from '../backend/config/symbols';
import { resolveStackDir, stackPaths } from '../local/paths';

/** A backend as a stack output lists it: a name, or an object with a name (and more). */
export type BackendOutput = string | { name: string; [key: string]: unknown };

/** The stack outputs the load tester reads (DESIGN.md, "Stack outputs"). */
export interface StackOutputs {
  loadBalancerUrl: string;
  backendCount?: number;
  backends?: BackendOutput[];
  engineShards?: number;
  /** The symbols the stack trades, as its services' `SYMBOLS`: the orders the load tester sends use them. */
  symbols?: string;
  target?: string;
}

export interface LoadTarget {
  /** Base URL of the load balancer, e.g. http://127.0.0.1:8080. */
  url: string;
  /** The deploy target (local, docker, kubernetes) or "url" for a bare --url. */
  target: string;
  /** Backends the stack says it has; each gets a line in the report even if it answered nothing. */
  backendNames: string[];
  /** Where the target came from, for the report. */
  source: string;
  /** The stack's `SYMBOLS`, when its outputs say (a stack deployed before they did, or a bare URL: undefined). */
  symbols?: string;
}

/** Pass at most one (the CLI refuses two); none means the local stack's outputs file. */
export interface TargetChoice {
  outputs?: string;
  stack?: string;
  url?: string;
}

export class TargetError extends Error {}

function checkedUrl(text: string, source: string): string {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new TargetError(`${source}: "${text}" is not a URL (for example http://127.0.0.1:8080)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TargetError(`${source}: "${text}" must be an http:// or https:// URL`);
  }
  return parsed.origin;
}

/** Accepts backends listed as names or as objects with a `name`, as the Pulumi and local outputs may do. */
export function backendNames(backends: unknown, source: string): string[] {
  if (backends === undefined) return [];
  if (!Array.isArray(backends)) throw new TargetError(`${source}: "backends" must be a list`);
  return backends.map((backend, index) => {
    if (typeof backend === 'string') return backend;
    if (typeof backend === 'object' && backend !== null && typeof (backend as { name?: unknown }).name === 'string') {
      return (backend as { name: string }).name;
    }
    throw new TargetError(`${source}: backends[${index}] is neither a name nor an object with a "name"`);
  });
}

export function targetFromOutputs(outputs: unknown, source: string): LoadTarget {
  if (typeof outputs !== 'object' || outputs === null) throw new TargetError(`${source}: the outputs are not a JSON object`);
  const { loadBalancerUrl, backends, target, symbols } = outputs as Partial<StackOutputs>;
  if (typeof loadBalancerUrl !== 'string') throw new TargetError(`${source}: there is no "loadBalancerUrl" output`);
  return {
    url: checkedUrl(loadBalancerUrl, source),
    target: typeof target === 'string' ? target : 'unknown',
    backendNames: backendNames(backends, source),
    source,
    ...(symbols === undefined ? {} : { symbols: checkedSymbols(symbols, source) }),
  };
}

function checkedSymbols(symbols: unknown, source: string): string {
  if (typeof symbols !== 'string') throw new TargetError(`${source}: "symbols" must be a SYMBOLS list (text)`);
  try {
    parseSymbols(symbols);
  } catch (error) {
    if (!(error instanceof SymbolConfigError)) throw error;
    throw new TargetError(`${source}: the "symbols" output: ${error.message}`);
  }
  return symbols;
}

function readOutputsFile(file: string): LoadTarget {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new TargetError(`${file} does not exist: start the local stack (npm run local:up), or pass --stack NAME or --url URL`);
    }
    throw error;
  }
  try {
    return targetFromOutputs(JSON.parse(text), file);
  } catch (error) {
    if (error instanceof SyntaxError) throw new TargetError(`${file} is not valid JSON: ${error.message}`);
    throw error;
  }
}

function readPulumiStack(stack: string): Promise<LoadTarget> {
  const source = `pulumi stack ${stack}`;
  return new Promise((resolve, reject) => {
    execFile('pulumi', ['stack', 'output', '--json', '--stack', stack], { maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        reject(new TargetError('the pulumi CLI is not installed (see https://www.pulumi.com/docs/install/); use --outputs FILE or --url URL instead'));
      } else if (error) {
        reject(new TargetError(`pulumi stack output --stack ${stack} failed: ${stderr.trim() || error.message}`));
      } else {
        try {
          resolve(targetFromOutputs(JSON.parse(stdout), source));
        } catch (parseError) {
          reject(parseError instanceof SyntaxError ? new TargetError(`${source}: the output is not JSON`) : parseError);
        }
      }
    });
  });
}

/** Resolves --outputs, --stack or --url; by default the local stack's outputs file. */
export async function resolveTarget(choice: TargetChoice): Promise<LoadTarget> {
  if (choice.url !== undefined) return { url: checkedUrl(choice.url, '--url'), target: 'url', backendNames: [], source: '--url' };
  if (choice.stack !== undefined) return readPulumiStack(choice.stack);
  return readOutputsFile(choice.outputs ?? stackPaths(resolveStackDir()).outputsFile);
}

const REACHABLE_TIMEOUT_MS = 5000;

/**
 * What to do when the load balancer URL names a Kubernetes Service by its
 * in-cluster DNS name (`nginx.hft.svc.cluster.local`: the URL of
 * `kubernetes.nginxServiceType` ClusterIP, or of a LoadBalancer still waiting
 * for its address), which only the cluster's own pods resolve. '' for any
 * other URL. The stack's symbols go with the --url it suggests, which has none.
 */
export function inClusterHint({ url, symbols }: Pick<LoadTarget, 'url' | 'symbols'>): string {
  const { hostname, port, protocol } = new URL(url);
  const service = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.|$)/.exec(hostname);
  if (service === null) return '';
  const [, name, namespace] = service;
  const servicePort = port || (protocol === 'https:' ? '443' : '80');
  return (
    `${hostname} is the Service's name inside the cluster: from outside it, forward a port to it ` +
    `(kubectl port-forward -n ${namespace} svc/${name} ${servicePort}:${servicePort}) and pass --url ${protocol}//127.0.0.1:${servicePort}` +
    (symbols === undefined ? '' : ` --symbols ${symbols}`)
  );
}

/**
 * Fails early, with the reason, when nothing answers at the target (a stack
 * that is down, a wrong port), rather than reporting thousands of connection
 * errors at the end. Any HTTP answer to `GET /health` counts as reachable:
 * nginx and the gateways both serve it, and a status is still an answer.
 * (node:http rather than fetch, which refuses some ports outright.)
 */
export function checkReachable(target: LoadTarget): Promise<void> {
  const url = new URL('/health', target.url);
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).get(url, { timeout: REACHABLE_TIMEOUT_MS }, (response) => {
      response.resume();
      response.on('end', () => resolve());
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${REACHABLE_TIMEOUT_MS / 1000} s`)));
    request.on('error', (error: NodeJS.ErrnoException) => {
      const hint = inClusterHint(target);
      const advice = hint === '' ? 'is the stack up?' : hint;
      reject(new TargetError(`nothing answers at ${target.url} (${target.source}): ${error.code ?? error.message}; ${advice}`));
    });
  });
}
