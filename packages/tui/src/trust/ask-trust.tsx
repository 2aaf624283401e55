/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { render } from 'ink';
import { TrustPrompt } from '../components/TrustPrompt.js';

/** Shows {@link TrustPrompt} in this terminal until answered; the screen is left clean. */
export async function askTrust(
  server: string,
  fingerprint: string,
  file: string,
): Promise<boolean> {
  let answer = false;
  const instance = render(
    <TrustPrompt
      server={server}
      fingerprint={fingerprint}
      file={file}
      onAnswer={(trust) => {
        answer = trust;
        instance.unmount();
      }}
    />,
    { exitOnCtrlC: false, patchConsole: false },
  );
  await instance.waitUntilExit();
  return answer;
}
