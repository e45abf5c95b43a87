export function index(): string {
  return "daily report";
}

export const _startup = (context: { log: string[] }) => context.log.push("daily");
