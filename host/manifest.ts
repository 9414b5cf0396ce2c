/**
 * A plugin's manifest.json: read, checked against schemas/manifest.schema.json
 * and against the host-api version this host implements, before any of the
 * plugin's code is imported.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { HOST_API_VERSION } from '../plugin/host-api.js';
import { packageRoot } from './paths.js';

export interface UiEntry {
  readonly element: string;
  readonly title: string;
}

export interface Manifest {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly entry: string;
  readonly hostApi: string;
  readonly ui?: { readonly adminPage?: UiEntry; readonly aboutControl?: UiEntry };
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

let validator: ValidateFunction | undefined;

function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    const schema = JSON.parse(
      readFileSync(path.join(packageRoot(), 'schemas', 'manifest.schema.json'), 'utf8'),
    ) as object;
    validator = new Ajv({ allErrors: true }).compile(schema);
  }
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

/** "ui.adminPage.element" for "/ui/adminPage/element", plus the property a `required` or `additionalProperties` error names. */
function fieldOf(error: ErrorObject): string {
  const parts = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (params.missingProperty) parts.push(params.missingProperty);
  if (params.additionalProperty) parts.push(params.additionalProperty);
  return parts.join('.') || '(root)';
}

function describe(error: ErrorObject): string {
  const field = fieldOf(error);
  switch (error.keyword) {
    case 'required':
      return `"${field}" is missing`;
    case 'additionalProperties':
      return `"${field}" is not a known field`;
    case 'not':
      return `"${field}" has a forbidden value`;
    default:
      return `"${field}" ${error.message ?? 'is invalid'}`;
  }
}

/** Checks that a manifest's `hostApi` range accepts `apiVersion` (the host's HOST_API_VERSION by default). */
export function checkHostApi(range: string, apiVersion: string = HOST_API_VERSION): void {
  if (semver.validRange(range) === null) throw new ManifestError(`"hostApi" is not a semver range: "${range}"`);
  if (!semver.satisfies(apiVersion, range)) {
    throw new ManifestError(`"hostApi" is "${range}", but this host implements host-api ${apiVersion}`);
  }
}

/** The manifest when `data` is a valid one; a ManifestError naming the bad fields otherwise. */
export function parseManifest(data: unknown, apiVersion: string = HOST_API_VERSION): Manifest {
  const errors = validate(data);
  if (errors.length > 0) {
    throw new ManifestError([...new Set(errors.map(describe))].join('; '));
  }
  const manifest = data as Manifest;
  checkHostApi(manifest.hostApi, apiVersion);
  return manifest;
}

/** Reads and checks `<folder>/manifest.json`; errors name the file. */
export async function readManifest(folder: string, apiVersion: string = HOST_API_VERSION): Promise<Manifest> {
  const file = path.join(folder, 'manifest.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ManifestError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  try {
    return parseManifest(data, apiVersion);
  } catch (err) {
    throw new ManifestError(`${file}: ${(err as Error).message}`);
  }
}
