// Reads a file one folder up: refused unless the run allows paths outside the script's folder.
const data = open('../shared-data.txt');
export default function () {
  if (!data.startsWith('first line')) throw new Error('wrong data: ' + data);
}
