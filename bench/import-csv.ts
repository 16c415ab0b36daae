/** `rows` users as an import CSV (header: username,email,full name,role). */
export function importCsv(rows: number, prefix = 'bench'): string {
  const lines = ['username,email,full name,role'];
  for (let i = 1; i <= rows; i++) lines.push(`${prefix}${i},${prefix}${i}@example.com,Bench User ${i},user`);
  return `${lines.join('\n')}\n`;
}
