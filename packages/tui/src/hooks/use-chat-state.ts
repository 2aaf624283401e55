import { useSyncExternalStore } from 'react';
import type { ChatController } from '../chat-controller.js';
import type { ChatState } from '../state/chat-reducer.js';

/** The controller's state; re-renders once per applied batch. */
export function useChatState(controller: ChatController): ChatState {
  return useSyncExternalStore(controller.subscribe, controller.getState);
}
