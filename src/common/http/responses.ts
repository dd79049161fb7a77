/** The reference gateway's acknowledgement of a delete. */
export function deleted(label: string, id: string): { status: 'success'; message: string } {
  return { status: 'success', message: `${label} ${id} deleted` };
}

/** The reference gateway's acknowledgement of a state change, carrying the entity under `key`. */
export function stateChanged<T>(label: string, key: string, entity: T & { id: string; enabled: boolean }): Record<string, unknown> {
  return { status: 'success', message: `${label} ${entity.id} ${entity.enabled ? 'activated' : 'deactivated'}`, [key]: entity };
}
