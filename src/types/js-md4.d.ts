declare module 'js-md4' {
  type Message = string | ArrayBuffer | Uint8Array | number[];
  interface Md4 {
    (message: Message): string;
    hex(message: Message): string;
    arrayBuffer(message: Message): ArrayBuffer;
  }
  const md4: Md4;
  export default md4;
}
