/** Whether every container of a lab run is where it should be: services healthy, jobs exited 0. */
import Docker from 'dockerode';

export async function unhealthyContainers(docker: Docker, label: string, value: string): Promise<string[]> {
  const problems: string[] = [];
  for (const summary of await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${label}=${value}`] }) })) {
    const info = await docker.getContainer(summary.Id).inspect();
    const name = info.Name.replace(/^\//, '');
    const isJob = info.HostConfig.RestartPolicy?.Name === 'no' && !info.State.Running;
    if (isJob) {
      if (info.State.ExitCode !== 0) problems.push(`${name} exited with ${info.State.ExitCode}`);
    } else if (!info.State.Running) {
      problems.push(`${name} is ${info.State.Status}`);
    } else if (info.State.Health && info.State.Health.Status !== 'healthy') {
      problems.push(`${name} is ${info.State.Health.Status}`);
    }
  }
  return problems;
}
