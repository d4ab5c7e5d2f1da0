// Logs through console: for --log-format json.
export const options = { vus: 1, iterations: 2 };

export default function () {
  console.log('hello from VU ' + __VU + ', iteration ' + __ITER);
}
