// Composition root: the only file that knows every part of the gateway.
return 0;
